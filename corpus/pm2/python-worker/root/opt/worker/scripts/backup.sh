#!/bin/bash
# stand-in backup script
echo backup
