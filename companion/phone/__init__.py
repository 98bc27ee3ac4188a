"""What only a phone build has: the platform check, and the Flutter services (secure
storage, notifications, biometrics) mounted on the app's page at start-up (DESIGN §7)."""
