"""The organisation's own site: its front page, its language switch, its privacy notice
and guidelines, the settings the secretariat writes, and what a new site still lacks."""
