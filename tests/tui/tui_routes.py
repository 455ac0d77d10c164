"""Scripted replies the app tests type (the bundled robot-vacuum inquiry's good route)."""

VACUUM = [
    "Hi Priya, thanks for reaching out! Happy to help. What kind of floors do you have, and do "
    "you have any pets?",
    "The X2 has carpet boost: it raises the suction automatically on rugs up to 3 cm pile, and "
    "its rubber brush won't tangle with cat hair.",
    "It comes with a 2-year warranty, battery included.",
    "You can also try it with our 30-day home trial and free returns, and I can send you the "
    "link. Is there anything else I can help you with?",
]
