"""Catalogue vocabulary (placeholder until the catalogue content lands)."""

CAUSE_SLUGS: tuple[str, ...] = (
    "fracture",
    "sports-overuse-injury",
    "poor-posture",
    "neck-shoulder-strain",
    "osteoarthritis",
    "scoliosis-kyphosis",
    "herniated-disc",
    "degenerative-disc-disease",
    "spinal-stenosis",
    "osteopenia",
    "osteoporosis",
    "cancer-or-infection",
)
