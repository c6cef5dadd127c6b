"""Rasa project of 女职工权益助手: config, domain, channels and custom NLU components."""
