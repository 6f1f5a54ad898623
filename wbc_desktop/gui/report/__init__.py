"""What leaves the review as a record: the CSV and PDF export (``pdf``, its page flow in ``layout``),
the sample details printed on it (``sample_dialog``) and the signature asked before signing
(``sign_dialog``). Enters: the document's analyses and the person's decisions; leaves: files the
lab keeps. Qt only here; the counting rule and caveats come from ``core.review``."""
