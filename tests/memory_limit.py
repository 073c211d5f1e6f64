"""The address-space limit the importer memory tests read under, as source
to put at the head of the scripts they run in a subprocess (``python -c``):
the limit must be set in the process that reads, after its imports."""

import textwrap

LIMIT_ADDRESS_SPACE = textwrap.dedent(
    '''
    import resource


    def limit_address_space(extra: int) -> None:
        """RLIMIT_AS at what is mapped now (VmSize) plus ``extra`` bytes."""
        for line in open("/proc/self/status"):
            if line.startswith("VmSize:"):
                budget = int(line.split()[1]) * 1024 + extra
        resource.setrlimit(resource.RLIMIT_AS, (budget, budget))
    '''
)
