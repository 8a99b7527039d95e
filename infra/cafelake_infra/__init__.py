"""cafelake's AWS infrastructure: one CDK app, one stack, one construct per concern."""
