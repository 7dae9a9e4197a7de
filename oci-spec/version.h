/* Version text shared by hull and berth.  */
#ifndef OCI_VERSION_H
#define OCI_VERSION_H

/* Libraries linked in, like crun's "+SECCOMP +CAP ..." line.  */
#define BERTH_FEATURES_COMMON "+YAJL +OPENSSL"

#endif
