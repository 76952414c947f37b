"""Voice commands: speech from the microphone turned into a command of the one command registry.

Audio capture and transcription load their heavy libraries lazily, inside the worker that needs them.
"""
