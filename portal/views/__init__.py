"""The portal's blueprints, one per page or API area."""
