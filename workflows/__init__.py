"""The staff's multi-step workflows on top of the application database (appdb) and the knowledge
library: FAQ review (draft → reviewed → published, four eyes), documents (upload → chunk preview →
publish → retire, files written to the knowledge overlay) and provincial leave figures (extract →
submit → approve into the leave table). Each step is audited in the same transaction as its change.

appdb holds the records and how they are stored; these modules hold the rules of who may do what
when. The console calls them; appdb never imports them (tests/unit/test_layout.py).
"""
