"""``python -m tunix_rt.tuning``: the sweep driver."""

from tunix_rt.tuning.driver import main

main()
