"""The core's plain data: the exercise model, events and effects, views, and the records history
keeps."""
