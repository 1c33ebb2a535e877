"""The pipeline from data/, queries/, views/ and site/ to the folder Datasette serves (build/)."""
