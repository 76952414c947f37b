"""Voice commands: speech from the microphone turned into a command of the one command registry.

``capture`` (sounddevice input stream into a ring buffer, devices, level meter) → ``endpoint`` (Silero VAD
end of speech, one utterance) → ``transcribe`` (faster-whisper tuned for short commands, output cleaning)
→ ``intents`` (text to a registry command); ``speak`` answers out loud through espeak-ng, never a secret.
Audio capture and transcription load their heavy libraries lazily, inside the worker that needs them.
"""
