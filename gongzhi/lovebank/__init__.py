"""The love bank (爱心银行): service hours banked as credits and drawn as help."""
