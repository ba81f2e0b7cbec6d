"""What the trial tells the public: the ClinicalTrials.gov record and the public trial page.

Both are rendered from the protocol files, so the registry, the page and the running system
can never disagree about arms, criteria or design.
"""
