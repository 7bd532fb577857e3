"""The lexicon of the roster search: every word actors use, for typo
correction and "did you mean" (see actors.search and the roster's search)."""

from django.db import models


class SearchTerm(models.Model):
    """A Latin word of three letters or more found in some actor's search
    text. Rows are added when a profile is saved and never counted or removed
    (a word no one uses any more corrects to nothing that matches), so saving
    a profile never waits on another's. Holds no link to any actor: a word
    is only ever shown to a creator when a listed actor on the page has it."""

    term = models.CharField(max_length=40, primary_key=True)

    def __str__(self) -> str:
        return self.term
