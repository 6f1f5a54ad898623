"""Lab learning: what one lab's own cells teach, without a training run (issue 24).

Each cell keeps its classifier embedding (``Cell.embedding``, the network's pooled last features;
stored per image by ``embeddings``). The cells a person types are the lab's examples:
``prototypes`` types the batch by its likeness to them, mixed with the shipped head (never
changed); ``by_example`` is that request as the model process answers it after each confirmation;
``batch_structure`` uses the batch's unlabelled cells (kNN label propagation, self-training);
``similar`` finds a cell's like for the gallery; ``profile`` saves what a batch taught (prototypes,
scale, colour reference) for the next batch or a sister lab. No torch and no Qt here: the window's
process imports it. Figures: training/reports/lab-learning/lab-learning.md.
"""
