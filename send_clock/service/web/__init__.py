"""The SEN team's web pages, served by the same application as the API."""
