#!/bin/sh
# Prints the greeting baked into the image at build time.
cat /app/greeting.txt
