"""The mandatory-training overview ("Certifikater") for leaders, HR and MED committees."""
