"""The answer logic, free of Rasa: what she told us, which legal issues her message raises, and
the reply (calculators, curated answers, retrieval). The Rasa action server (`actions/`), the staff
console and the retrieval library's evaluation all call this package; it imports nothing of
`actions`, `bot`, `console` or `appdb`.
"""
