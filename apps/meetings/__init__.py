"""Joint meetings (联席会议, 五方议事, 幸福圆桌会, 阳光议事): agenda from cases, minutes,
decisions."""
