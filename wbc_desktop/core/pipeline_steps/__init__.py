"""``analyze`` as a short sequence of named steps, each in its own module.

The steps, in order (``core.pipeline.Pipeline.analyze`` runs them; each takes what the earlier
ones decided and changes nothing they own):

1. :mod:`.first_look` decides everything the one segmentation needs, from image statistics and a
   cheap look, never from a full segmentation:

   - :mod:`.colour`: the background gain, the lab's stain calibration when the image is its lab's,
     else a colour *standardisation* (a plug: ``Pipeline.standardise``, filled by the colour
     standardisation of ``core.imaging``), else nothing;
   - :mod:`.glance` (small images only): the image segmented at half the model's scale (a quarter of
     the pixels), its cells found; the scale policy, the familiarity estimate and the
     self-calibration read it;
   - :mod:`.scale_policy`: the scale from the pixel size, the red cells, the white cell's size in the
     glance or the crop's framing;
   - the familiarity estimate (glance statistics) and, on an image that looks unfamiliar, the
     stain self-calibration fitted to the glance (``core.imaging.self_calibration``).
2. :mod:`.segment`: the segmenter runs **once**, at the chosen scale through the chosen colour map
   (a big field: only its candidate regions, found once).
3. :mod:`.find_cells`: one instance per white cell.
4. :mod:`.typing_policy`: cells typed once, in batches (extra views only for unsure cells, by the
   classifier's card), the familiarity judged on the result, the stain-robust classifier for a
   flagged image, the platelet size rule and the unsure rule.

What enters: an :class:`~wbc_desktop.core.io.images.ImageData` and the loaded models; what
leaves: an :class:`~wbc_desktop.core.analysis.Analysis`. The steps may import cells,
segmentation, imaging and below, never the pipeline, batch or review.
"""
