"""Custom actions of 女职工权益助手, served by rasa-sdk on port 5055 (`make run`)."""
from knowledge.privacy import install_log_masking

install_log_masking()  # phone and ID numbers masked in every log record of the action server
