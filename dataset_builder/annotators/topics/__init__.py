"""IPTC Media Topics for articles and teasers, with the evidence that led to them.

The annotator is deterministic and offline: one lexicon per declared language
(`resources/languages/<code>/topics.json`) maps news vocabulary to IPTC QCodes, and every
topic it assigns lists the matched terms with their field and character offsets.

- `vocabulary`: the IPTC Media Topics the lexicons map to;
- `lexicon`: a language's terms compiled into patterns, and how they match ("Matching");
- `folding`: text folded one character for one before a lexicon is matched;
- `enumerations`: lists of short items, whose terms are weak evidence;
- `scoring`: the annotator, which weighs the matches into topics ("Scoring",
  "Threshold", "Primary topic", "Language").
"""

from __future__ import annotations

from dataset_builder.annotators.topics.lexicon import LexiconError
from dataset_builder.annotators.topics.scoring import (
    LexiconTopicAnnotator,
    TopicResult,
    default_topic_annotator,
    default_topic_version,
)
from dataset_builder.annotators.topics.vocabulary import (
    VOCABULARY_PATH,
    VocabularyTopic,
    load_vocabulary,
)

__all__ = [
    "VOCABULARY_PATH",
    "LexiconError",
    "LexiconTopicAnnotator",
    "TopicResult",
    "VocabularyTopic",
    "default_topic_annotator",
    "default_topic_version",
    "load_vocabulary",
]
