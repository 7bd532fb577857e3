"""The portal's own number and date formats per language (``FORMAT_MODULE_PATH``),
where Django's differ from what readers of that language expect."""
