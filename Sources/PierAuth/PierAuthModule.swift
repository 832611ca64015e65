enum PierAuthModule {}
