"""adqsp: a QSP simulator of atopic dermatitis and its treatment."""
