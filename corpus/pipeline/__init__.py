"""The build pipeline: one module per stage, called in order by `run.build`."""
