"""Word count: sentences are split into words, and a table counts them.

The pipeline, all on the embedded broker (no Kafka needed):

1. ``split_sentences`` reads the ``sentences`` topic and sends every word to
   the ``words`` topic;
2. ``count_words`` repartitions the words by word (``group_by``), so every
   occurrence of a word reaches the worker that owns its count, and adds one
   to the ``word_counts`` table. The table's changelog topic keeps the counts,
   so a restarted worker recovers them.

Run the demo (starts the app in this process, counts a few sentences, prints
the table, stops)::

    python examples/word_count.py

It prints the table of counts, then ``Counted 20 words.``

Against Kafka (the walkthrough on the documentation's Kafka page, run by
``tests/integration/test_word_count_walkthrough.py``): set
``WORD_COUNT_BROKER``, run a worker with its web server, send it sentences
from another shell (each ``faust send`` prints the offset the broker gave
it), and read the counts from the worker's ``/table/`` view::

    export WORD_COUNT_BROKER=kafka://localhost:9092
    faust -A examples.word_count worker -l info --with-web
    faust -A examples.word_count send sentences '"The dog sleeps."'
    curl localhost:6066/table/word_counts/dog/

On the embedded broker (the default) the broker lives inside the worker's
process, so ``faust send`` from another shell cannot reach it: it says so and
sends nothing.
"""

import asyncio
import os
import sys

import faust

app = faust.App(
    "word-count",
    broker=os.environ.get("WORD_COUNT_BROKER", "memory://"),
    store="memory://",
    web_enabled=False,
    topic_partitions=4,
)

sentences = app.topic("sentences", value_type=str)
words = app.topic("words", value_type=str)

word_counts = app.Table("word_counts", default=int, help="How often each word was seen")


@app.agent(sentences)
async def split_sentences(stream):
    """Send every word of every sentence to the ``words`` topic."""
    async for sentence in stream:
        for word in sentence.lower().split():
            await words.send(value=word.strip(".,;:!?\"'"))


@app.agent(words)
async def count_words(stream):
    """Count words: group_by makes each word go to the owner of its count."""
    async for word in stream.group_by(lambda word: word, name="word"):
        word_counts[word] += 1


SENTENCES = [
    "The quick brown fox jumps over the lazy dog.",
    "The dog sleeps.",
    "A fox is quick, a dog is lazy.",
]


async def demo() -> None:
    total = sum(len(sentence.split()) for sentence in SENTENCES)
    await app.start()
    for sentence in SENTENCES:
        await sentences.send(value=sentence)
    while sum(word_counts.values()) < total:
        await asyncio.sleep(0.01)
    print(word_counts.as_ansitable(title="Word counts", sort=True))
    await app.stop()
    print(f"Counted {total} words.")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        app.main()
    else:
        asyncio.run(demo())
