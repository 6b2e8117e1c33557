"""The coaching rules: breath, progression, rotation, the movement signature, rhythm, the
ritual schedule, safety and the gentle path."""
