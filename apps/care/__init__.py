"""1+1 pairing and care groups (留守儿童 1+1, 幸福家访): pairings, contact records,
care-group views."""
