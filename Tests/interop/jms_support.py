"""The JMS scenario programs (jms/PierJms.java, jms/PierJmsTool.java) on Debian's ActiveMQ 5.17.2 client:
compiled once per session, run with `java(classes, ...)`."""
from __future__ import annotations

import glob
import os
import shutil
import subprocess

import pytest

JMS_DIR = os.path.join(os.path.dirname(__file__), "jms")
CLASSPATH = ":".join(f"/usr/share/java/{jar}.jar" for jar in (
    "activemq-client", "geronimo-jms_1.1_spec", "geronimo-j2ee-management-1.1-spec", "hawtbuf", "slf4j-api", "slf4j-nop"))


@pytest.fixture(scope="session")
def jms_classes(tmp_path_factory):
    """jms/*.java (PierJms, its scenario files, PierJmsTool) compiled once per session (scripts/install-deps.sh test brings javac and the jars)."""
    javac = shutil.which("javac")
    assert javac, "javac not found: run scripts/install-deps.sh test (default-jdk-headless, libactivemq-java)"
    missing = [j for j in CLASSPATH.split(":") if not os.path.exists(j)]
    assert not missing, f"JMS client jars missing: {missing} (scripts/install-deps.sh test)"
    out = tmp_path_factory.mktemp("jms-classes")
    r = subprocess.run([javac, "-d", str(out), "-cp", CLASSPATH,
                        *sorted(glob.glob(os.path.join(JMS_DIR, "*.java")))],
                       capture_output=True, text=True, timeout=180)
    assert r.returncode == 0, f"javac failed:\n{r.stdout}\n{r.stderr}"
    return str(out)


def java(classes: str, *args: str) -> list[str]:
    return ["java", "-cp", f"{CLASSPATH}:{classes}", *args]
