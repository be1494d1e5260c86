"""The seams by which domain apps plug into the kernel: core imports no domain app.

Each app registers, when it loads (its AppConfig.ready), what it brings to the shared pages and
processes — menu entries, home-page to-dos, metrics, search providers, page panels, notification
subjects and handlers of other apps' hooks. Core only iterates over what was registered, so adding a
domain touches no file outside it, and an app that is not installed contributes nothing.

Every registry is keyed: registering the same key again replaces the entry (a test may re-register
its fake app; a reloaded module does not add a twin).
"""
