"""The three discovery modes: quarterly full index, daily index, company submissions."""
