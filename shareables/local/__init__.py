"""Local stage: what runs on one machine around the pipeline.

Takes: a project directory.
Gives: `serve` (preview of output/ with rebuild on save and live reload), `seaweed` (a local
SeaweedFS `weed mini` on free loopback ports, for the demo and the tests) and `demo` (`make
demo`: build, start SeaweedFS, publish, print the page URL).
"""
