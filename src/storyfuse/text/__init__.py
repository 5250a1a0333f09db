"""Text of one article: metadata, boilerplate cleaning, sentences, words and match tokens."""
