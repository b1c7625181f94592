# Networks started at boot, one a line.
office
lab
