print("stockpile")
