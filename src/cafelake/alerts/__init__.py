"""Rising keyword groups: the threshold of `v_rising_groups` and the once-only notice of each new one."""
