"""The segmentation networks: SMGNN (three GIN layers, metric head, light pixel CNN) and the
U-Net reference; ``build`` makes either from a model card's config."""
