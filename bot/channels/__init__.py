"""Input channels of the bot (REST now; the widget and WeChat channels live here too)."""
