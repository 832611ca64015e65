enum PierTransportModule {}
