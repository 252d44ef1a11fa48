// The card-free signature formats (digests, DigestInfo, detached CMS) are part of what this
// applet's API speaks in, so users of JPKIApplet see them without a second import.
@_exported import CMS
