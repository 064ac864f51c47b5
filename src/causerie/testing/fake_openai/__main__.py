"""`python -m causerie.testing.fake_openai`: a loopback server to try causerie offline."""

from causerie.testing.fake_openai import main

main()
