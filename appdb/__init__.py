"""The application database of 女职工权益助手, shared by the action server and the staff console.

Modules: models (tables), session (engine, transactions, migrations), catalogue (services and
slots from knowledge/content/services.yml), booking, cases, users, audit, unanswered.
Command line: `python -m appdb upgrade|seed|create-user|stats`.
"""
