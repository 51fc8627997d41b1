// `plex-diagnose/testing`: real loopback fakes of a Plex Media Server and plex.tv, and scenario presets,
// for our own tests, the `demo` command, and other tool authors.
export {};
