"""Comments on proposals: threads of one level, likes, flags and moderation."""
