"""Custom actions of 女职工权益助手, served by rasa-sdk on port 5055 (`make run`)."""
