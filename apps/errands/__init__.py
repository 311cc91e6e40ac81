"""Errand assistance (陪办帮办): the steps of an errand case and who accompanied whom."""
