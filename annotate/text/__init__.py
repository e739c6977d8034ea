"""Text in: reading files (decode, repair, formats, the corpus walk), cleaning site chrome
away, and segmenting articles into claim units. Pure functions over plain values; no store."""
