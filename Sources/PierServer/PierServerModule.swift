enum PierServerModule {}
